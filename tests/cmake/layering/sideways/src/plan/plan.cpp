// The plan layer reaching sideways to its sibling, process: the layer check must refuse it.
#include <cohort/plan/plan.hpp>
#include "common/json_text.hpp"
#include <cohort/process/process.hpp>
