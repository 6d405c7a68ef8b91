// An umbrella header that forgets a layer's header: the check must name what is missing.
#include <cohort/core.hpp>
