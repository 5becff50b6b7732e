#include <csv.h>
#include <stdlib.h>
