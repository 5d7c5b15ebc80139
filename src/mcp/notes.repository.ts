import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Note } from './note.entity';

/** The notes the demo tools read and write; every call is scoped to one owner. */
export interface NotesStore {
  add(owner: string, text: string): Promise<Note>;
  listByOwner(owner: string, limit: number): Promise<Note[]>;
}

@Injectable()
export class NotesRepository implements NotesStore {
  constructor(@InjectRepository(Note) private readonly repo: Repository<Note>) {}

  add(owner: string, text: string): Promise<Note> {
    return this.repo.save(this.repo.create({ owner, text }));
  }

  /** Newest first; `id` breaks ties between notes created in the same instant. */
  listByOwner(owner: string, limit: number): Promise<Note[]> {
    return this.repo.find({
      where: { owner },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }
}
