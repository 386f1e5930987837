#include "apiserver/table.h"
