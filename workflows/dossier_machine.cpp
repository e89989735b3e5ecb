// placeholder: replaced by the MSM machine
#include "dossier_machine.hpp"
