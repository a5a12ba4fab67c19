;; warden diff regression: validation|warden=valid,binaryen=rejected|[parse exception: bad section size, started at N 
;; explained by peer rule binaryen-108-declarative-ref-null (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\09\07\01\07\70\01\d0\70\0b")
