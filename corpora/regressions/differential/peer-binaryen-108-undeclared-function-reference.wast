;; conformance regression (scripts/conformance, ref_func.wast:108 and 112): Binaryen 108 (wasm-shell on
;; the text module, wasm-opt --enable-reference-types on this binary) accepts `ref.func` of a function that no element segment, export or
;; global declares; spec 3.4.10 (C.refs): invalid.
;; catalogue entry binaryen-108-undeclared-function-reference (Warden behaves as below)
;; (module (func $f (drop (ref.func $f))))
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\07\01\05\00\d2\00\1a\0b")
  "undeclared function reference")
;; declared by an element segment: valid
(module (func $f (drop (ref.func $f))) (elem declare func $f))
