// another header of core, missing from <cohort/core.hpp>
