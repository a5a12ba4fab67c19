;; warden diff regression: validation|warden=malformed,wabt=invalid|length out of bounds
;; explained by peer rule wabt-1.0.32-validates-while-reading (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7f\03\02\01\0e\01\2c\00")
  "length out of bounds")
