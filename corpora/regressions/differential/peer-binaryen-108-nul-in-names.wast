;; warden diff regression: validation|warden=valid,binaryen=rejected|[parse exception: inline string contains NULL (N)
;; explained by peer rule binaryen-108-nul-in-names (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\00\07\05\01\01\66\00\00\0a")
