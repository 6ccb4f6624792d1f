/** The store contract on the in-process store: the reference the others are held to. */
import { memoryStore } from 'faasade/idempotency'
import { describeStoreContract } from '../contract/store-contract.js'

describeStoreContract('memory', () => memoryStore())
