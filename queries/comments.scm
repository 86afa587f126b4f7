; Comments at the top level: where `# gomodfix: ignore[…]` suppressions live.
(source_file (comment) @comment)
