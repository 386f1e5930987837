#include "apiserver/pki.h"
