import { exitOf } from './exec.service';

describe('the exit of an exec, from the API server\'s final Status', () => {
  it('is 0 for Success', () => {
    expect(exitOf('{"metadata":{},"status":"Success"}')).toEqual({ code: 0 });
  });

  it('is the ExitCode cause of a NonZeroExitCode failure (a kubelet\'s answer)', () => {
    const status = { status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7', details: { causes: [{ reason: 'ExitCode', message: '7' }] } };
    expect(exitOf(JSON.stringify(status))).toEqual({ code: 7, message: status.message });
  });

  it('is read from the message when the runtime names it only there (kwok)', () => {
    const message = 'error executing command in container: cmd wait: sh -c exit 3: exit status 3';
    expect(exitOf(JSON.stringify({ status: 'Failure', reason: 'InternalError', message }))).toEqual({ code: 3, message });
  });

  it('has no code for any other failure, and says why', () => {
    expect(exitOf(JSON.stringify({ status: 'Failure', message: 'container not found ("nope")' }))).toEqual({ code: null, message: 'container not found ("nope")' });
    expect(exitOf('not json')).toEqual({ code: null, message: 'not json' });
  });
});
