// Package xinyong is the domain of the Xinyong public credit information
// platform (公共信用信息平台): its entities, the rules that decide what may be
// recorded, shared, published and punished, the error codes, and the store
// interfaces. It imports only the standard library.
//
// Rules are data plus pure functions. Stores only persist; handlers only
// translate. See doc/design.md.
package xinyong
