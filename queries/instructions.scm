; Every instruction at the top level of a Dockerfile, tagged by kind.
; The model builder (src/syntax/model.rs) walks these captures in source order.
; ONBUILD triggers are captured as a whole: they run in a child image, not here.
(source_file (from_instruction) @from)
(source_file (run_instruction) @run)
(source_file (copy_instruction) @copy)
(source_file (add_instruction) @add)
(source_file (env_instruction) @env)
(source_file (arg_instruction) @arg)
(source_file (workdir_instruction) @workdir)
(source_file (user_instruction) @user)
(source_file (shell_instruction) @shell)
(source_file (onbuild_instruction) @onbuild)
