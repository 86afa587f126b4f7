; The parts of a FROM line: image name, tag, digest and the stage alias.
(from_instruction
  (image_spec
    name: (_) @image.name
    tag: (_)? @image.tag
    digest: (_)? @image.digest) @image
  as: (_)? @alias)
