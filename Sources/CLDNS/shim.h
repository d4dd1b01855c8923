#ifndef CLUSTERDNS_CLDNS_SHIM_H
#define CLUSTERDNS_CLDNS_SHIM_H
// stdbool first: without it every C `bool` in ldns imports into Swift as Int8.
#include <stdbool.h>
#include <ldns/ldns.h>
#endif
