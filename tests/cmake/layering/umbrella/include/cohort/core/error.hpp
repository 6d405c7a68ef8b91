// one header of core
