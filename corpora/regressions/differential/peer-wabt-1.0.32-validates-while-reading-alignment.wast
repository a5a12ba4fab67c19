;; warden diff regression: validation|warden=malformed,wabt-npm=invalid|unexpected end of section or function
;; explained by peer rule wabt-1.0.32-validates-while-reading (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7b\03\02\01\00\0a\0b\01\09\00\41\00\41\00\fd\00\8c\01"
    "\0b")
  "unexpected end of section or function")
