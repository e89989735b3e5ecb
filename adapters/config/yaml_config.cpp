// placeholder: replaced by the loader
#include "config/yaml_config.hpp"
