;; warden diff regression: validation|warden=malformed,binaryen=valid|malformed mutability|in section 2
;; explained by peer rule binaryen-108-accepts-bad-mutability (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\02\0e\01\04\74\65\73\74\04\66\75\6e\63\03\7f\02")
  "malformed mutability")
