;; conformance regression (scripts/conformance, linking.wast:18, 169, 174 and others; start.wast:92):
;; Binaryen 108's interpreter (wasm-shell) runs the body of the function an export or the start
;; section names without asking whether it is an import; an import has none, and it dies on the
;; assertion `curr` (wasm-traversal.h). Spec 4.5.4 (start), 4.5.5 (invocation): the imported
;; function is called.
;; catalogue entry binaryen-108-runs-imported-function-body (Warden behaves as below)
(module $provider
  (global $calls (mut i32) (i32.const 0))
  (func (export "f") (result i32) (i32.const 2))
  (func (export "tick") (global.set $calls (i32.add (global.get $calls) (i32.const 1))))
  (func (export "calls") (result i32) (global.get $calls)))
(register "provider" $provider)
(module $reexporter
  (func $f (import "provider" "f") (result i32))
  (export "f" (func $f))
  (func (export "g") (result i32) (call $f)))
(assert_return (invoke $reexporter "g") (i32.const 2))
(assert_return (invoke $reexporter "f") (i32.const 2))
(module $starter
  (func $tick (import "provider" "tick"))
  (start $tick))
(assert_return (invoke $provider "calls") (i32.const 1))
