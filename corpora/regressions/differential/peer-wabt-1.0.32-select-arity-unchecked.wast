;; warden diff regression: validation|warden=invalid,wabt=valid|invalid result arity|at select
;; explained by peer rule wabt-1.0.32-select-arity-unchecked (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\0d\01\0b\00\41\00\41\00\41\00\1c\00\1a"
    "\0b")
  "invalid result arity")
