#include "apiserver/openapi.h"
