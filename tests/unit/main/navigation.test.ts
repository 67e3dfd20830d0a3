import { describe, expect, it } from 'vitest';
import { decideNavigation, isAllowedExternalUrl, isAllowedNavigation } from '../../../electron/main/navigation.ts';

describe('navigation guard', () => {
  it('lets the window move only between app pages', () => {
    expect(isAllowedNavigation('app://recx/index.html')).toBe(true);
    expect(isAllowedNavigation('app://recx/index.html#/explorer')).toBe(true);
    for (const url of [
      'https://github.com/',
      'http://localhost:5173/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'app://evil/index.html',
      'about:blank',
    ]) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });

  it('opens only https links to allow-listed hosts in the system browser', () => {
    for (const url of [
      'https://github.com/recexplainer/workbench',
      'https://huggingface.co/models?search=llama',
      'https://docs.github.com/en',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(true);
    }
    for (const url of [
      'http://github.com/',
      'https://github.com.evil.com/',
      'https://evilgithub.com/',
      'https://user:pass@github.com/',
      'https://github.com:8443/',
      'file:///C:/Windows/system32/calc.exe',
      'smb://github.com/share',
      'ms-msdt:/id',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });

  it('decides: app pages load, allow-listed links leave for the browser, the rest go nowhere', () => {
    expect(decideNavigation('app://recx/index.html')).toEqual({ action: 'allow' });
    expect(decideNavigation('https://huggingface.co/x')).toEqual({
      action: 'deny',
      openExternal: 'https://huggingface.co/x',
    });
    expect(decideNavigation('https://example.com/')).toEqual({ action: 'deny', openExternal: null });
  });
});
