# Every dependency cohort has, in one place. cohort-config.cmake.in mirrors these calls with
# find_dependency(); keep the two in step.
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json filesystem)
find_package(fmt 9 CONFIG REQUIRED)
find_package(Threads REQUIRED)
