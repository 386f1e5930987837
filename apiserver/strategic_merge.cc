#include "apiserver/strategic_merge.h"
