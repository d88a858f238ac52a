/**
 * The stack output that names the admin function: the stack declares it and
 * `npm run tenants -- --stack` looks it up (kept apart from the stack so the CLI loads no CDK).
 */
export const ADMIN_FUNCTION_OUTPUT = 'AdminFunctionName';
