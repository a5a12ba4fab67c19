;; warden diff regression: validation|warden=invalid,binaryen=valid|unknown function N|in section 9 (seed 9101)
;; explained by peer rule binaryen-108-declarative-segment-indices-unchecked (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\09\05\01\03\00\01\07")
  "unknown function 7")
