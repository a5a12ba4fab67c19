;; warden diff regression: validation|probe|warden=valid,binaryen=rejected|[wasm-validator error in module] unexpected fals
;; explained by peer rule binaryen-108-segment-bounds-at-validation (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7f\03\02\01\00\06\06\01\7f\01\41\00\0b\07\09\01\05\73"
    "\74\61\74\65\00\00\0a\0c\01\0a\03\01\7f\01\7e\01\7f\23\00\0b\0b\04\01\01\01\ef")
