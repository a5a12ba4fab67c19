;; warden diff regression: validation|warden=valid,binaryen=rejected|[wasm-validator error in function N] unexpected 
;; explained by peer rule binaryen-108-data-drop-needs-memory (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0c\01\01\00\08\03\78\33\37\da\0f\1b\11\0a"
    "\07\01\05\00\fc\09\00\0b\0b\03\01\01\00")
