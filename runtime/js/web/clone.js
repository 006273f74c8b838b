// clone
