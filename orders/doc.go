// Package orders is the domain of orderbot: products, customers, orders, the
// order lifecycle and the order desk's rules (lead time, deposit, big-order
// complimentary lines, working-day calendar).
//
// It depends on the standard library and shopspring/decimal only. Storage is
// behind the Store interface, declared here and implemented by orders/pgstore.
package orders
