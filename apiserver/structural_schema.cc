#include "apiserver/structural_schema.h"
