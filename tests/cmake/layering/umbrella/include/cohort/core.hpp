#include <cohort/core/error.hpp>
