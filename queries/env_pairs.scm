; KEY=VALUE pairs of ENV and ARG instructions (ENV also in the legacy `ENV KEY value` form).
(env_pair name: (_) @name value: (_)? @value) @pair
(arg_pair name: (_) @name default: (_)? @value) @pair
