// fetchtypes
