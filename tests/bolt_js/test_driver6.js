// neo4j-driver 6 (manifest v1 handshake, Bolt 5.8).
'use strict'
require('./suite').suite(require('neo4j-driver'), { major: 6, bolt: 5.8 })
