;; warden diff regression: crash|load|wabt
;; explained by peer rule wabt-1.0.32-interp-datacount-allocation (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7f\03\02\01\00\05\03\01\00\00\0c\05\fd\ab\c0\a1\04")
  "function and code section have inconsistent lengths")
