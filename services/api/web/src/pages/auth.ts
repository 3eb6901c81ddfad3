import { CognitoError } from '../cognito';
import { type Child, h } from '../dom';
import type { Page, PageContext } from '../page';
import {
  alertBox,
  busy,
  createForm,
  describeError,
  type ErrorPlacement,
  type FieldSpec,
  sentence,
  toast,
} from '../ui';

/** Sign up, confirm, sign in: the pages a visitor sees before the portal knows who they are. */

// The password chosen at sign-up, kept in memory only, so that confirming the code signs the user in.
let pendingSignUp: { email: string; password: string } | undefined;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const validateEmail = (value: string) => {
  if (value === '') return 'Enter your email address.';
  return EMAIL_PATTERN.test(value) ? undefined : 'Enter an email address like name@example.com.';
};

// The user pool's password policy (serverless.yml, UserPool.Policies). Cognito has the last word.
/** The email field of every form here; `username` lets password managers pair it with the password. */
const emailField = (autocomplete: 'username' | 'email', value = ''): FieldSpec => ({
  name: 'email',
  label: 'Email',
  type: 'email',
  autocomplete,
  inputmode: 'email',
  value,
  validate: validateEmail,
});

const PASSWORD_HINT = 'At least 12 characters, with upper- and lower-case letters and a number.';
const validateNewPassword = (value: string) => {
  if (value.length < 12) return 'Use at least 12 characters.';
  if (!/[a-z]/.test(value) || !/[A-Z]/.test(value)) return 'Use both upper- and lower-case letters.';
  return /\d/.test(value) ? undefined : 'Include at least one number.';
};

/** Cognito's refusals, in words for people, next to the field they concern. */
function placeCognitoError(error: unknown, context: 'sign-up' | 'confirm' | 'sign-in'): ErrorPlacement {
  if (!(error instanceof CognitoError)) return describeError(error);
  // Cognito answers a wrong password with NotAuthorizedException; cognito-local with InvalidPasswordException.
  if (context === 'sign-in' && /^(NotAuthorized|InvalidPassword|UserNotFound)Exception$/.test(error.code)) {
    return { message: 'Incorrect email or password.' };
  }
  switch (error.code) {
    case 'UsernameExistsException':
      return { field: 'email', message: 'An account with this email already exists. Sign in instead.' };
    case 'InvalidPasswordException':
      return { field: 'password', message: sentence(error.message) };
    case 'CodeMismatchException':
      return { field: 'code', message: 'That code is not right. Check the email we sent and try again.' };
    case 'ExpiredCodeException':
      return { field: 'code', message: 'That code has expired. Send a new one.' };
    case 'UserNotFoundException':
      return { field: 'email', message: 'There is no account with this email.' };
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return { message: 'Too many attempts. Wait a few minutes and try again.' };
    default:
      return { message: sentence(error.message) };
  }
}

function authLayout(title: string, intro: Child, context: PageContext, ...content: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'auth' },
    h('h1', { tabindex: -1 }, title),
    intro && h('p', { class: 'lead' }, intro),
    context.flash && alertBox(context.flash.kind, context.flash.message),
    content,
  );
}

export const signInPage: Page = (context) => {
  const next = context.params.get('next') ?? '/devices';
  const form = createForm({
    label: 'Sign in',
    fields: [
      emailField('username', context.params.get('email') ?? ''),
      {
        name: 'password',
        label: 'Password',
        type: 'password',
        autocomplete: 'current-password',
        validate: (value) => (value === '' ? 'Enter your password.' : undefined),
      },
    ],
    submitLabel: 'Sign in',
    busyLabel: 'Signing in…',
    placeError: (error) => placeCognitoError(error, 'sign-in'),
    onSubmit: async ({ email = '', password = '' }) => {
      try {
        await context.session.signIn(email, password);
      } catch (error) {
        if (!(error instanceof CognitoError && error.code === 'UserNotConfirmedException')) throw error;
        context.navigate(`/confirm?email=${encodeURIComponent(email)}`, {
          kind: 'info',
          message: 'Confirm your email address first: enter the code we sent you.',
        });
        return;
      }
      context.navigate(next.startsWith('/') ? next : '/devices');
    },
  });
  return authLayout(
    'Sign in',
    'Welcome back. Sign in to manage your thermostats.',
    context,
    form.element,
    h(
      'p',
      { class: 'switch' },
      'New here? ',
      h('a', { href: '#/sign-up' }, 'Create an account'),
      ' · ',
      h('a', { href: '#/confirm' }, 'Confirm your email'),
    ),
  );
};

export const signUpPage: Page = (context) => {
  const form = createForm({
    label: 'Create an account',
    fields: [
      emailField('email'),
      {
        name: 'password',
        label: 'Password',
        type: 'password',
        autocomplete: 'new-password',
        hint: PASSWORD_HINT,
        validate: validateNewPassword,
      },
    ],
    submitLabel: 'Create account',
    busyLabel: 'Creating your account…',
    placeError: (error) => placeCognitoError(error, 'sign-up'),
    onSubmit: async ({ email = '', password = '' }) => {
      const result = await context.cognito.signUp(email, password);
      if (result.userConfirmed) {
        await context.session.signIn(email, password);
        context.navigate('/devices', { kind: 'success', message: 'Welcome! Your account is ready.' });
        return;
      }
      pendingSignUp = { email, password };
      context.navigate(`/confirm?email=${encodeURIComponent(email)}`, {
        kind: 'info',
        message: `We sent a confirmation code to ${result.destination ?? email}.`,
      });
    },
  });
  return authLayout(
    'Create your account',
    'Add your thermostats, set alert thresholds and connect them securely.',
    context,
    form.element,
    h('p', { class: 'switch' }, 'Already have an account? ', h('a', { href: '#/sign-in' }, 'Sign in')),
  );
};

export const confirmPage: Page = (context) => {
  const email = context.params.get('email') ?? pendingSignUp?.email ?? '';
  const resend = h('button', { type: 'button', class: 'button link' }, 'Send a new code');
  const form = createForm({
    label: 'Confirm your email',
    fields: [
      emailField('username', email),
      {
        name: 'code',
        label: 'Confirmation code',
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
        hint: 'The code is in the email we sent when you signed up.',
        validate: (value) =>
          /^\d{4,10}$/.test(value) ? undefined : 'Enter the code from the email, digits only.',
      },
    ],
    submitLabel: 'Confirm',
    busyLabel: 'Confirming…',
    placeError: (error) => placeCognitoError(error, 'confirm'),
    actions: resend,
    onSubmit: async ({ email: address = '', code = '' }) => {
      await context.cognito.confirmSignUp(address, code);
      const pending = pendingSignUp?.email === address ? pendingSignUp : undefined;
      pendingSignUp = undefined;
      if (pending !== undefined) {
        await context.session.signIn(pending.email, pending.password);
        context.navigate('/devices', { kind: 'success', message: 'Your email is confirmed. Welcome!' });
        return;
      }
      context.navigate(`/sign-in?email=${encodeURIComponent(address)}`, {
        kind: 'success',
        message: 'Your email is confirmed. Sign in to continue.',
      });
    },
  });
  resend.addEventListener('click', async () => {
    const field = form.fields.get('email');
    const address = field?.input.value.trim() ?? '';
    const invalid = validateEmail(address);
    field?.setError(invalid);
    if (invalid !== undefined) {
      field?.input.focus();
      return;
    }
    const restore = busy(resend, 'Sending…');
    try {
      await context.cognito.resendConfirmationCode(address);
      toast(`A new code is on its way to ${address}.`);
    } catch (error) {
      form.showError(placeCognitoError(error, 'confirm'));
    } finally {
      restore();
    }
  });
  return authLayout(
    'Confirm your email',
    'Enter the code we emailed you to activate your account.',
    context,
    form.element,
    h('p', { class: 'switch' }, 'Already confirmed? ', h('a', { href: '#/sign-in' }, 'Sign in')),
  );
};
