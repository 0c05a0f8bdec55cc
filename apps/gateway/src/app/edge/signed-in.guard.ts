import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { KubeService } from '../kube/kube.service';

const WHAT = 'cairn:signed-in';

/**
 * Lets only signed-in callers reach the route (a session this gateway sealed, or a bearer a
 * configured cluster accepts): everyone else gets a 401 (a 403 on a console with no sign-in
 * at all) before any parameter is parsed or any connection opened. Routes that parse a
 * user's document or dial an address a user chose carry it (issue 19: no anonymous relay).
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly kube: KubeService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const what = this.reflector.get<string | undefined>(WHAT, context.getHandler());
    if (!what) return true;
    await this.kube.requireSignedIn(context.switchToHttp().getRequest<FastifyRequest>(), what);
    return true;
  }
}

/** The route is for signed-in callers only; `what` ends the refusal ("Sign in first: applying YAML is …"). */
export function SignedIn(what: string): MethodDecorator {
  return applyDecorators(SetMetadata(WHAT, what), UseGuards(SignedInGuard));
}
