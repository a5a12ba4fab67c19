;; warden diff regression: trap|call|binaryen|warden=ok,binaryen=trap:uninitialized (seed 9101)
;; explained by peer rule binaryen-108-declarative-ref-null (Warden behaves as below)
;; Binaryen 108 misreads the ref.null items, loses the active segment after them,
;; and traps "uninitialized table element"; the spec calls $b.
(module
  (type (func (result i32)))
  (table 4 funcref)
  (func $a (result i32) (i32.const 7))
  (func $b (result i32) (i32.const 9))
  (func (export "call0") (result i32) (call_indirect (type 0) (i32.const 0)))
  (func (export "call1") (result i32) (call_indirect (type 0) (i32.const 1)))
  (elem declare funcref (ref.null func) (ref.null func) (ref.func $b) (ref.func $b) (ref.func $a))
  (elem (table 0) (i32.const 0) funcref (ref.func $b) (ref.func $a) (ref.func $b) (ref.func $a)))
(assert_return (invoke "call0") (i32.const 9))
(assert_return (invoke "call1") (i32.const 7))
