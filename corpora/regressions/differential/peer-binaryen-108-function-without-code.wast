;; warden diff regression: validation|warden=malformed,binaryen=valid|function and code section have inconsistent leng|in section 3
;; explained by peer rule binaryen-108-function-without-code (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00")
  "function and code section have inconsistent lengths")
