;; warden diff regression: validation|warden=valid,binaryen-npm=rejected|[parse exception: invalid element segment index
;; explained by peer rule binaryen-132-declarative-segments-shift-indices (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\03\02\00\00\04\04\01\70\00\01\09\09\02\03\00\01\00"
    "\01\00\01\00\0a\11\02\02\00\0b\0c\00\41\00\41\00\41\00\fc\0c\01\00\0b")
