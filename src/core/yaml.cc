#include "kube/core/yaml.h"
