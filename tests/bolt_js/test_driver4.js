// neo4j-driver 4.4 (Bolt 4.4).
'use strict'
require('./suite').suite(require('neo4j-driver-4'), { major: 4, bolt: 4.4 })
