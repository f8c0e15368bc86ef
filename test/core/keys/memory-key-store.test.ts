import { MemoryKeyStore } from '../../../src/adapters/memory/key-store.js';
import { describeKeyStoreContract } from './key-store.contract.js';

describeKeyStoreContract('memory', async () => new MemoryKeyStore());
