// A core header that reaches up to the view layer: the layer check must refuse it.
#include <cohort/core/error.hpp>
#include <cohort/view/dashboard.hpp>
