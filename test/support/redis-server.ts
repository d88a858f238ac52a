// Moved to local/ (npm start runs a private redis-server too); kept here for the tests' imports.
// The .ts extension: jest loads global setup through CommonJS without moduleNameMapper.
export { freePort, type RedisServer, startRedisServer } from '../../local/redis-server.ts';
