;; warden diff regression: validation|warden=valid,binaryen-npm=rejected|[wasm-validator error in function N] iN != iN: i
;; explained by peer rule binaryen-132-dead-code-keeps-values-before-branch (Warden behaves as below)
;; (func i64.const 7 i32.const 1 return (if (result i32) (then i32.const 2 br 0)
;;   (else i32.const 3)) drop i64.clz drop): valid; Binaryen 132 hands i32.const 1
;; to i64.clz.
(module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\16\01\14\00\42\07\41\01\0f\04\7f\41\02"
    "\0c\00\05\41\03\0b\1a\79\1a\0b")
