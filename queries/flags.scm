; Flags of an instruction: `--from=…`, `--chown=…`, `--platform=…` (param) and `--mount=…`
; (mount_param). Matched against one instruction node at a time.
(param) @param
(mount_param) @mount
