;; warden diff regression: validation|warden=malformed,binaryen=valid|malformed UTF-N encoding|in section 2
;; explained by peer rule binaryen-108-no-utf8-validation (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\02\0c\01\04\74\65\73\74\02\f1\80\03\7f\00")
  "malformed UTF-8 encoding")
