;; warden diff regression: validation|warden=valid,binaryen=rejected|[parse exception: Invalid type for a usesExpress
;; explained by peer rule binaryen-108-externref-elem-segment (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\09\04\01\05\6f\00")
